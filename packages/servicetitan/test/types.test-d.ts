import { createServiceTitanClient } from "../src/client.ts";

declare const tokens: import("../src/token-provider.ts").TokenProvider;
const st = createServiceTitanClient({ environment: "integration", tenantId: 1, appKey: "k", tokens });
export async function check() {
  const r = await st.GET("/tenant/{tenant}/invoices", { params: { query: { ids: "1,2", page: 1 } } });
  const total: string | null | undefined = r.data?.data[0]?.total;
  await st.GET("/tenant/{tenant}/ap-bills/{billId}", { params: { path: { billId: 3 } } });
  // @ts-expect-error unknown query parameter
  await st.GET("/tenant/{tenant}/invoices", { params: { query: { idz: "1" } } });
  // @ts-expect-error typeId is required
  await st.POST("/tenant/{tenant}/payments", { body: { amount: 1 } });
  return total;
}
