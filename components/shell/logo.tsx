export function Logo({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight text-slate-900 ${className}`}>
      <svg viewBox="0 0 64 64" className="size-7" aria-hidden>
        <rect width="64" height="64" rx="16" fill="#2553eb" />
        <path d="M20 18v17a12 12 0 0 0 24 0V18" fill="none" stroke="#fff" strokeWidth="7" strokeLinecap="round" />
      </svg>
      Unitoken
    </span>
  );
}
