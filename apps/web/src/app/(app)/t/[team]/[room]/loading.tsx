import { Card } from "@parlor/ui/card";
import { Skeleton } from "@parlor/ui/skeleton";

/** While the server looks the room up: the pre-join's shape, so nothing jumps when it arrives. */
export default function Loading() {
  return (
    <div
      className="mx-auto grid w-full max-w-5xl gap-5 px-4 py-5 sm:px-6 sm:py-8 lg:grid-cols-[minmax(0,1.45fr)_minmax(0,1fr)] lg:items-start lg:gap-x-8 lg:py-12"
      aria-busy="true"
      aria-label="Loading the room"
    >
      <div className="aspect-video w-full rounded-xl bg-zinc-900 ring-1 ring-border" />
      <Card className="min-w-0 gap-5 p-5 sm:p-6">
        <Skeleton className="h-7 w-40" />
        <Skeleton className="h-4 w-56" />
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-10 w-full" />
      </Card>
    </div>
  );
}
