/**
 * The floor of a page in this app: the framework's own scripts and nothing of ours (no providers,
 * no components). `npm run bench:web` reports every route's first-load JS as a ratio to it.
 * Linked from nowhere; it shows one word.
 */
export const metadata = { title: "floor", robots: { index: false } };

export default function FloorPage() {
  return <main className="p-4 text-sm text-slate-700">floor</main>;
}
