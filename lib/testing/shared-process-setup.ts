import { beforeAll } from "vitest";
import { setCatalogDataset } from "@/lib/catalog";
import { processRouteHealth } from "@/lib/routing";

/*
 * The unit project runs many files in one process (isolate: false). State a server process keeps
 * for itself must start clean in each file as it would in a new process: route health, above all,
 * where three failures of a file's failing upstream would take the same route out for 30 s in
 * whichever file the worker runs next; and the catalog's dataset (a refreshed snapshot one file
 * installs would price the next file's requests).
 */
beforeAll(() => {
  processRouteHealth.reset();
  setCatalogDataset(null);
});
