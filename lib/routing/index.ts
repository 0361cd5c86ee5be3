// Which providers serve a request, in which order, and which are healthy enough to try.
export { planRoutes, maxWeights, type Routable, type RoutePlan, type RoutePlanInput } from "./policy";
export { RouteHealth, processRouteHealth, routeKey, type RouteHealthOptions, type RouteStats, type RouteAdmission } from "./health";
export {
  providerPreferences,
  fromProviderPreferences,
  ROUTE_SORTS,
  type ProviderPreferences,
  type RouteNarrowing,
  type RouteSort,
} from "./preferences";
export { failover, type FailoverOptions, type RouteAttempt, type CallableRoute } from "./failover";
export {
  familyRoutesInput,
  getFamilyRoutes,
  setFamilyRoutes,
  familyRouteLayer,
  familyRouteCache,
  FamilyRouteCache,
  type FamilyRoutes,
  type FamilyRoutesInput,
  type SetFamilyRoutesResult,
} from "./family";
