// Call dossiers: a party's signed bundle of one call (GET /v1/calls/{callId}/dossier) and the public key
// that checks its signature (GET /v1/dossiers/public-key). `npm run dossier:verify` checks one offline.
import { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { READ, tagged } from "../openapi/facts.ts";
import { unavailable } from "./anchor.ts";
import { buildDossier } from "./build.ts";
import { DossierPublicKey, SignedDossier } from "./schemas.ts";
import { ALGORITHM, signBody } from "./sign.ts";

export function dossierRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("calls");
  const key = () => {
    if (!deps.dossierKey) throw unavailable("no dossier signing key is configured (DCE_DOSSIER_SIGNING_KEY)");
    return deps.dossierKey;
  };

  const dossierDoc = doc({
    summary: "A signed dossier of a call, verifiable offline (its seller, its buyer, admins)",
    access: "any",
    status: 200,
    response: SignedDossier,
    errors: [...READ, "call_unknown", "dossier_legacy", "dossier_pending", "dossier_unavailable"],
  });
  app.get("/calls/:callId/dossier", dossierDoc, async (c) => {
    const signing = key();
    const dossier = await buildDossier(deps, c.get("principal"), c.req.param("callId"));
    return c.json({ dossier, signature: { ...signBody(signing, dossier), publicKey: signing.publicKey } });
  });

  const keyDoc = doc({
    summary: "The Ed25519 public key that signs call dossiers",
    access: "any",
    status: 200,
    response: DossierPublicKey,
    errors: [...READ, "dossier_unavailable"],
  });
  app.get("/dossiers/public-key", keyDoc, (c) => {
    const signing = key();
    return c.json({ algorithm: ALGORITHM, signingKeyId: signing.keyId, publicKey: signing.publicKey });
  });

  return app;
}
