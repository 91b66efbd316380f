import type { NextConfig } from "next";

// As bare as a Next.js app gets; nothing here that Meet's own app would not have.
const nextConfig: NextConfig = {};

export default nextConfig;
