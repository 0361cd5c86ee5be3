/**
 * Server actions as component render tests see them (components/** in vitest): a DOM test cannot
 * run a "use server" module, so each imported action is a stub that refuses
 * (`{ ok: false, code: "internal" }`) unless the test gives it an answer with `answerAction`.
 * vitest.config.mts points components' imports of `@/app/actions/*` here.
 */
type Action = (...args: never[]) => Promise<unknown>;
const answers = new Map<string, Action>();

export function answerAction(name: string, fn: Action): void {
  answers.set(name, fn);
}

export function actionStub(name: string) {
  return (...args: never[]) => (answers.get(name) ?? (async () => ({ ok: false, code: "internal" })))(...args);
}
