"use client";

import type { RouterOutputs } from "@parlor/api";
import { cn } from "@parlor/ui/lib/utils";
import { Skeleton } from "@parlor/ui/skeleton";
import { CircleAlertIcon, CircleCheckIcon, CircleDashedIcon, TriangleAlertIcon } from "lucide-react";

import { QueryError } from "@/components/query-error";
import { api } from "@/trpc/react";

type Dependency = RouterOutputs["admin"]["health"]["dependencies"][number];

/** Health is checked again this often while the page is open. */
export const HEALTH_EVERY_MS = 10_000;

export function useHealth() {
  return api.admin.health.useQuery(undefined, { refetchInterval: HEALTH_EVERY_MS, staleTime: 5_000 });
}

const LOOK: Record<Dependency["level"], { icon: typeof CircleCheckIcon; tone: string; word: string }> = {
  ok: { icon: CircleCheckIcon, tone: "border-border", word: "OK" },
  idle: { icon: CircleDashedIcon, tone: "border-border", word: "Nothing yet" },
  warn: {
    icon: TriangleAlertIcon,
    tone: "border-amber-300/70 bg-amber-50 dark:border-amber-500/30 dark:bg-amber-500/10",
    word: "Check",
  },
  down: {
    icon: CircleAlertIcon,
    tone: "border-destructive/40 bg-destructive/5 dark:border-destructive/50 dark:bg-destructive/10",
    word: "Down",
  },
};

const ICON_TONE: Record<Dependency["level"], string> = {
  ok: "text-success",
  idle: "text-muted-foreground",
  warn: "text-amber-600 dark:text-amber-400",
  down: "text-destructive",
};

/**
 * The top of /admin: database, LiveKit, webhooks and reconciliation, each green or red with what
 * to check, refreshed every 10 seconds, so an outage is seen before the (then empty) room list.
 */
export function HealthPanel() {
  const health = useHealth();
  if (health.isPending) {
    return (
      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-24 rounded-xl" />
        ))}
      </div>
    );
  }
  if (health.error && !health.data) {
    return (
      <QueryError
        error={health.error}
        title="Couldn't check the services"
        onRetry={() => health.refetch()}
        retrying={health.isFetching}
      />
    );
  }
  const dependencies = health.data?.dependencies ?? [];
  const down = dependencies.filter((d) => d.level === "down");
  return (
    <section aria-labelledby="health-heading" className="grid gap-3" data-testid="health-panel">
      <h2 id="health-heading" className="sr-only">
        Services
      </h2>
      {down.length > 0 ? (
        <p role="alert" className="text-sm font-medium text-destructive">
          {down.map((d) => d.label).join(" and ")} {down.length === 1 ? "needs" : "need"} attention: what you
          see below may be out of date.
        </p>
      ) : null}
      <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
        {dependencies.map((dependency) => {
          const look = LOOK[dependency.level];
          const Icon = look.icon;
          return (
            <li
              key={dependency.key}
              className={cn("grid min-w-0 content-start gap-1 rounded-xl border p-4 text-sm", look.tone)}
              data-testid={`health-${dependency.key}`}
              data-level={dependency.level}
            >
              <div className="flex items-center gap-2">
                <Icon className={cn("size-4 shrink-0", ICON_TONE[dependency.level])} aria-hidden="true" />
                <span className="font-medium">{dependency.label}</span>
                <span className={cn("ml-auto text-xs font-medium", ICON_TONE[dependency.level])}>
                  {look.word}
                </span>
              </div>
              <p className="break-words text-muted-foreground">{dependency.summary}</p>
              {dependency.check && dependency.level !== "ok" ? (
                <p className="text-xs break-words text-muted-foreground">
                  <span className="font-medium text-foreground">Check: </span>
                  {dependency.check}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
