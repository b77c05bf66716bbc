'use strict';
// For HEALTHCHECK: exit 0 when the server answers /health (distroless-friendly: no curl needed).
const port = Number(process.env.PORT || 3000);
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
  .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
