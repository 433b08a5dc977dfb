/**
 * `build` runs once per process (a Lambda cold start) and its result is shared by every invocation;
 * a build that fails (say, a secret read) is forgotten, so the next invocation tries again.
 */
export function onColdStart<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
