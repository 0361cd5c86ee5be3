import { Skeleton } from "@/components/ui/card";

export default function Loading() {
  return (
    <div className="mx-auto w-full max-w-3xl space-y-3 px-4 py-5" aria-busy="true">
      <Skeleton className="h-7 w-40" />
      <Skeleton className="h-24 w-full" />
      <Skeleton className="h-24 w-full" />
    </div>
  );
}
