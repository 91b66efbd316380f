"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback } from "react";

/**
 * After signing in or up: forget everything cached for the signed-out visitor, go where they were
 * headed, and re-render the server components with the new session.
 */
export function useEnterApp(next: string) {
  const router = useRouter();
  const queryClient = useQueryClient();
  return useCallback(() => {
    queryClient.clear();
    router.replace(next);
    router.refresh();
  }, [queryClient, router, next]);
}
