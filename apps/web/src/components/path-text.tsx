import { cn } from "@parlor/ui/lib/utils";

/**
 * An address as people read it: decoded (`/t/設計` rather than `/t/%E8%A8%AD…`) and laid out left
 * to right whatever the script of its parts, so an Arabic team's path still starts with `/t/`.
 */
export function PathText({ segments, className }: { segments: string[]; className?: string }) {
  return (
    <bdi dir="ltr" className={cn("font-mono", className)}>
      {`/${segments.join("/")}`}
    </bdi>
  );
}
