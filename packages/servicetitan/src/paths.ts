// ServiceTitan's generated paths with the `tenant` path parameter removed: the client fills it
// once for every call (a client is bound to one tenant), so callers never pass it.
import type { paths } from "./generated/accounting-v2.ts";

type WithoutTenant<Path> = Omit<Path, "tenant">;

type TenantFreeParameters<Params> = Params extends { path: infer Path }
  ? Omit<Params, "path"> &
      (keyof WithoutTenant<Path> extends never ? { path?: never } : { path: WithoutTenant<Path> })
  : Params;

type TenantFreeOperation<Operation> = Operation extends { parameters: infer Params }
  ? Omit<Operation, "parameters"> & { parameters: TenantFreeParameters<Params> }
  : Operation;

type TenantFreePathItem<Item> = { [Method in keyof Item]: TenantFreeOperation<Item[Method]> };

/** Every accounting path, keyed as in the spec, with `tenant` filled by the client. */
export type ServiceTitanPaths = { [Path in keyof paths]: TenantFreePathItem<paths[Path]> };
