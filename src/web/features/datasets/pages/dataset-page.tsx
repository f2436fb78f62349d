// PLACEHOLDER: replaced by the feature's real page.
export function Component() {
  return <h1 className="text-2xl font-bold">dataset-page</h1>;
}
