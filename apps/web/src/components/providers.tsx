"use client";

import { Toaster } from "@parlor/ui/toaster";
import { ThemeProvider } from "next-themes";
import type { ReactNode } from "react";

import { TRPCReactProvider } from "@/trpc/react";

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
        {children}
        <Toaster />
      </TRPCReactProvider>
    </ThemeProvider>
  );
}
