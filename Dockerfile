# Parlor's web app as a small production image: Next.js standalone output, migrations applied on
# start (see apps/web/src/instrumentation.ts). Build from the repository root: docker build -t parlor .

FROM node:20-bookworm-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH NEXT_TELEMETRY_DISABLED=1
RUN npm install -g pnpm@10.34.8

FROM base AS build
WORKDIR /src
# Manifests first, so dependency installation is cached across source changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps/web/package.json apps/web/
COPY packages/api/package.json packages/api/
COPY packages/db/package.json packages/db/
COPY packages/ui/package.json packages/ui/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile --filter "@parlor/web..."
COPY . .
RUN pnpm --filter @parlor/web build

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 \
    PARLOR_MIGRATIONS_DIR=/app/packages/db/migrations PGLITE_DATA_DIR=/app/data/pglite \
    RECORDINGS_DIR=/app/data/recordings
COPY --from=build --chown=node:node /src/apps/web/.next/standalone ./
COPY --from=build --chown=node:node /src/apps/web/.next/static ./apps/web/.next/static
# Files Parlor serves itself: effect models and wasm (copied from node_modules by the build), pictures.
COPY --from=build --chown=node:node /src/apps/web/public ./apps/web/public
COPY --from=build --chown=node:node /src/packages/db/migrations ./packages/db/migrations
# The embedded recorder encodes with Debian's ffmpeg (FFMPEG_PATH).
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
# The recordings folder exists in the image, so a volume mounted on it belongs to Parlor's user.
RUN mkdir -p /app/data/recordings && chown -R node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "apps/web/server.js"]
