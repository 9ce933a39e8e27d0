/** Races a call against a deadline: a dependency that hangs is treated like one that failed. */
export function withDeadline<T>(what: string, ms: number, call: () => PromiseLike<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(call()), deadline]).finally(() => {
    if (timer !== null) clearTimeout(timer);
  });
}
