import type { Metadata } from "next";

import { GuestPage } from "@/features/guest/guest-page";
import { decodeParam } from "@/lib/params";

export const metadata: Metadata = { title: "Join as a guest", robots: { index: false } };

export default async function Guest({ params }: PageProps<"/g/[token]">) {
  const { token } = await params;
  return <GuestPage token={decodeParam(token)} />;
}
