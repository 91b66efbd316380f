"use client";

import { Toaster } from "@parlor/ui/toaster";
import { TooltipProvider } from "@parlor/ui/tooltip";
import { ThemeProvider } from "next-themes";
import type { ReactNode } from "react";
import { z } from "zod";

import { TRPCReactProvider } from "@/trpc/react";

// Zod feature-detects eval with `Function("")`, which the Content-Security-Policy refuses (and
// reports as a violation). In the browser, skip the detection and use its eval-free parsers.
if (typeof window !== "undefined") z.config({ jitless: true });

export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    <ThemeProvider
      attribute="class"
      defaultTheme="system"
      enableSystem
      disableTransitionOnChange
      nonce={nonce}
    >
      <TRPCReactProvider>
        <TooltipProvider>{children}</TooltipProvider>
        <Toaster />
      </TRPCReactProvider>
    </ThemeProvider>
  );
}
