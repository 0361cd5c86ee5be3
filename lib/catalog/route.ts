import type { CatalogModel, CatalogProviderRoute, ModelWeights } from "./types";
import { OPENAI_COMPATIBLE_ENDPOINTS, baseUrlOverrideEnv, fillTemplate } from "./providers";

export type ResolvedRoute = {
  /** "live": a real provider with a key; "demo": the demo upstream. */
  kind: "live" | "demo";
  /** Provider id ("demo" for the demo upstream). */
  providerId: string;
  /** Model id to send upstream. */
  providerModelId: string;
  /** Fields the provider route always sends (CatalogProviderRoute.extraBody); none for the demo upstream. */
  extraBody?: Record<string, unknown>;
  /** OpenAI-compatible base URL (without /chat/completions). */
  baseUrl: string;
  apiKey?: string;
  /** Catalog slug the route serves. */
  modelId: string;
  /** What a request this route serves is charged (the route's own price; the model's for the demo upstream). */
  weights: ModelWeights;
};

export type RouteOptions = {
  /** Looks up an environment variable by name (app code passes `providerEnv`). */
  providerKey: (envName: string) => string | undefined;
  demoMode: boolean;
  /** Base URL of the demo upstream, e.g. http://127.0.0.1:4010/v1 or <origin>/api/demo-upstream/v1. */
  demoBaseUrl: string;
  /** Try this provider first when it is live. */
  preferProvider?: string;
};

/** A route is live when every variable the provider needs is set and we can call it. */
export function liveRoute(model: CatalogModel, route: CatalogProviderRoute, options: Pick<RouteOptions, "providerKey">): ResolvedRoute | null {
  if (!route.callable || !route.apiBase) return null;
  const get = options.providerKey;
  if (route.envKeys.length === 0) return null;
  for (const k of route.envKeys) if (!get(k)) return null;
  const access = OPENAI_COMPATIBLE_ENDPOINTS[route.id];
  const apiKeyEnv = access?.apiKeyEnv ?? route.envKeys[0];
  const baseUrl = get(baseUrlOverrideEnv(route.id)) ?? fillTemplate(route.apiBase, get);
  if (!baseUrl) return null;
  return {
    kind: "live",
    providerId: route.id,
    providerModelId: route.modelId,
    ...(route.extraBody ? { extraBody: route.extraBody } : {}),
    baseUrl: baseUrl.replace(/\/+$/, ""),
    apiKey: get(apiKeyEnv),
    modelId: model.id,
    weights: route.weights,
  };
}

/**
 * Every route a request for `model` may take, in the catalog's order (first-party, then
 * cheapest): the live provider routes, else the demo upstream alone when demo mode is on, else
 * none. Hidden models are never routed. lib/routing orders and narrows this list per request.
 */
export function resolveRoutes(model: CatalogModel | undefined, options: Omit<RouteOptions, "preferProvider">): ResolvedRoute[] {
  if (!model || model.hidden) return [];
  const out: ResolvedRoute[] = [];
  for (const r of model.providers) {
    const live = liveRoute(model, r, options);
    if (live) out.push(live);
  }
  if (out.length > 0 || !options.demoMode) return out;
  return [demoRoute(model, options.demoBaseUrl)];
}

function demoRoute(model: CatalogModel, demoBaseUrl: string): ResolvedRoute {
  return {
    kind: "demo",
    providerId: "demo",
    providerModelId: model.id,
    baseUrl: demoBaseUrl.replace(/\/+$/, ""),
    apiKey: "demo",
    modelId: model.id,
    weights: model.weights,
  };
}

/**
 * Where a request for `model` goes: the first live provider route (preferred provider first,
 * then the catalog's order: first-party, then cheapest), else the demo upstream when demo mode
 * is on, else null (not callable). Hidden models are never routed.
 */
export function resolveRoute(model: CatalogModel | undefined, options: RouteOptions): ResolvedRoute | null {
  if (!model || model.hidden) return null;
  const routes = options.preferProvider
    ? [...model.providers].sort((a, b) => Number(b.id === options.preferProvider) - Number(a.id === options.preferProvider))
    : model.providers;
  for (const r of routes) {
    const live = liveRoute(model, r, options);
    if (live) return live;
  }
  if (!options.demoMode) return null;
  return demoRoute(model, options.demoBaseUrl);
}

/** The demo upstream's base URL: DEMO_UPSTREAM_URL when set, else the in-app route on `origin`. */
export function demoBaseUrlFor(input: { demoUpstreamUrl?: string; origin: string }): string {
  return (input.demoUpstreamUrl ?? `${input.origin.replace(/\/+$/, "")}/api/demo-upstream/v1`).replace(/\/+$/, "");
}

export type Availability = "live" | "demo" | "unavailable";

/** What the UI shows for a model: a live provider, the demo upstream (演示), or not callable. */
export function availabilityOf(model: CatalogModel, options: RouteOptions): Availability {
  return resolveRoute(model, options)?.kind ?? "unavailable";
}
