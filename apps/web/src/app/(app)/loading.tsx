import { Skeleton } from "@parlor/ui/skeleton";

import { PageContainer } from "@/components/page";

export default function Loading() {
  return (
    <PageContainer>
      <div className="mb-8 grid gap-3" aria-busy="true" aria-label="Loading">
        <Skeleton className="h-4 w-24" />
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-4 w-96 max-w-full" />
      </div>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {[0, 1, 2].map((key) => (
          <Skeleton key={key} className="h-[76px] rounded-xl" />
        ))}
      </div>
    </PageContainer>
  );
}
