/**
 * Warm-up: while the client reads the `initialize` answer and sends its first `didOpen`, the
 * server runs the open path (document, parse, model, stage checks, diagnostics) on a sample
 * Dockerfile of its own, in pieces of one run each, as background jobs of the scheduler.
 *
 * Why: the first document a server sees is parsed by functions V8 has not compiled yet, run in
 * its interpreter with no type feedback; that first open took 25 ms for a 2,400-line file that
 * takes 4 ms once warm. The first-open cost is the same on every start and the client's turn
 * after `initialize` is time the process otherwise spends waiting (7–8 ms in the bench's
 * traces), so the work moves there: the 2,400-line open then takes about half as long.
 *
 * It never delays real work by more than one piece (about a millisecond): it stops as soon as a
 * document is open, a piece is a background job (every request and the stage diagnostics go
 * first), and it stops after `budgetMs` in all. Nothing it makes is kept; it does not touch
 * the connection. DOCKERFILE_STAGES_WARMUP=0 turns it off (to measure a cold first open).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { problemsFor, toDiagnostic } from '../features/diagnostics';
import { buildModel } from '../model/model';
import { DEFAULT_SETTINGS } from '../protocol';

/**
 * A multi-stage Dockerfile with the instructions, flags and forms real files use: parser
 * directives, global ARGs, FROM with a platform and a stage name, RUN with mounts, continuation
 * lines and a heredoc, COPY --from and --link, ADD with a checksum, JSON and shell forms, and a
 * few of the mistakes the stage checks report (an unused stage, a reference to a later stage,
 * a lowercase keyword), so that the check paths run too.
 */
export const WARMUP_DOCKERFILE = `# syntax=docker/dockerfile:1
# escape=\\
ARG GO_VERSION=1.22
ARG BASE=debian:bookworm-slim

FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS="-trimpath"
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \\
    --mount=type=cache,target=/root/.cache/go-build \\
    go mod download
COPY . .
ARG TARGETOS TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -ldflags="-s -w" -o /out/app ./cmd/app

FROM node:20-alpine AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN <<EOF
set -eux
npm run build
ls -la dist
EOF

from build as test
run go test ./...

FROM \${BASE} AS runtime
LABEL org.opencontainers.image.source="https://example.invalid/app" \\
      org.opencontainers.image.licenses="MIT"
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates tini \\
 && rm -rf /var/lib/apt/lists/*
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.invalid/tool.tar.gz /tmp/
COPY --from=build --chown=1000:1000 /out/app /usr/local/bin/app
COPY --link --from=web /web/dist /srv/www
COPY --from=docs /site /srv/docs
USER 1000:1000
EXPOSE 8080/tcp
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s CMD ["app", "health"]
STOPSIGNAL SIGTERM
SHELL ["/bin/sh", "-c"]
ENTRYPOINT ["/usr/bin/tini", "--", "app"]
CMD ["serve", "--port", "8080"]

FROM scratch AS docs
COPY docs/ /site/
ONBUILD RUN echo never
`;

/** One run of the open path on the sample; returns the number of diagnostics (so that nothing is optimised away). */
export function warmUpOnce(): number {
  const doc = TextDocument.create('file:///warm-up/Dockerfile', 'dockerfile', 1, WARMUP_DOCKERFILE);
  const model = buildModel(doc.getText());
  return problemsFor(model, DEFAULT_SETTINGS).map((p) => toDiagnostic(p, doc.uri)).length;
}

export interface WarmUpHost {
  /** Runs a piece as a background job (the scheduler); resolves with what it returned. */
  background(piece: () => boolean): Promise<boolean>;
  /** Has a document been opened? Warm-up stops then. */
  busy(): boolean;
  now(): number;
}

/** Runs `warmUpOnce` piece by piece until `budgetMs` is spent, `maxRuns` ran, or the host is busy; resolves with the runs made. */
export async function warmUp(host: WarmUpHost, budgetMs = 15, maxRuns = 40): Promise<number> {
  const start = host.now();
  let runs = 0;
  while (runs < maxRuns && host.now() - start < budgetMs) {
    const ran = await host.background(() => {
      if (host.busy()) return false;
      warmUpOnce();
      return true;
    });
    if (!ran) break;
    runs++;
  }
  return runs;
}
