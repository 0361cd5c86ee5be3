/** Node's own flags of `npm start` in the tree at `dir` (default: the working directory). */
export function serverNodeArgs(dir?: string): string[];
