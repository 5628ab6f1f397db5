import type { TestClient } from "masonite/testing";

export type Op = Record<string, unknown> & { op: string };

/** Runs Session calls in one request through the session lab route and returns what each returned. */
export async function lab(client: TestClient, ...ops: Op[]): Promise<unknown[]> {
  const response = await client.post("/_lab", { ops }, { json: true, headers: { accept: "application/json" } });
  response.assertOk();
  return response.json<{ results: unknown[] }>().results;
}
