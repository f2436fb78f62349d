import { Link } from 'react-router';

export function Component() {
  return (
    <main className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">There is nothing at this address.</p>
      <Link to="/app" className="mt-4 inline-block text-indigo-700 underline dark:text-indigo-300">
        Go to your datasets
      </Link>
    </main>
  );
}
