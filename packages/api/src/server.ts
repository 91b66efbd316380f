// Server entry for the web app: configuration, services, the router and its context.
import { loadConfig, type Config } from "./lib/config";
import { startBackgroundJobs } from "./admin/jobs";
import { createServices, type Services } from "./lib/services";

export { createContext, type Context } from "./lib/context";
export { appRouter, createCaller } from "./root";
export { isCrossSiteRequest } from "./lib/csrf";
export { stampPeerAddresses } from "./lib/client-address";
export { ConfigError, loadConfig, type Config } from "./lib/config";
export { createServices, type Services } from "./lib/services";

const state = globalThis as unknown as { parlorConfig?: Config; parlorServices?: Promise<Services> };

/** The validated configuration, read once per process. */
export function getConfig(): Config {
  state.parlorConfig ??= loadConfig();
  return state.parlorConfig;
}

/**
 * The process's services, built once: the database is opened and migrated on first use (at start,
 * from instrumentation). A failed start is forgotten so the next request tries again.
 */
export function getServices(): Promise<Services> {
  state.parlorServices ??= (async () => {
    const services = createServices(getConfig());
    await services.database.migrate();
    services.logger.info({ driver: services.database.driver }, "database ready");
    if (process.env.PARLOR_BACKGROUND_JOBS !== "off") startBackgroundJobs(services);
    return services;
  })().catch((error: unknown) => {
    state.parlorServices = undefined;
    throw error;
  });
  return state.parlorServices;
}

export { handleHealth, handleLiveKitWebhook, handleMetrics, handleTRPCRequest, TRPC_ENDPOINT } from "./http";
export { handleRecordingRequest } from "./recordings/http";
