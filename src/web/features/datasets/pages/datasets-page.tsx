import { useSession } from '../../../shared/auth/session.js';
import { DatasetsList } from '../components/datasets-list.js';
import { UploadPanel } from '../components/upload-panel.js';

/** The hub's home: upload a CSV and find the datasets already stored. */
export function Component() {
  const { user } = useSession();
  const roles = user?.roles ?? [];
  const isAdmin = roles.includes('admin');
  const canWrite = isAdmin || roles.includes('analyst');
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold">Datasets</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          {canWrite
            ? 'Upload CSV files, then open one to see its columns, rows and correlations.'
            : 'Open a dataset to see its columns, rows and correlations. Your role can read datasets but not upload them.'}
        </p>
      </div>
      {canWrite && <UploadPanel />}
      <DatasetsList showOwner={isAdmin} canDelete={canWrite} />
    </div>
  );
}
