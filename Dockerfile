# berth as a container image. Two stages: the first installs every dependency and builds the
# server (tsc) and the dashboard (vite); the second keeps only the build and the production
# dependencies.
#
# BASE_IMAGE is any image with Node.js 20 and npm. The default comes from Docker Hub; a machine
# without a registry can build from a base made locally (docs/container.md tells how; the tests
# do exactly that).
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /app
# The lock file alone first, so a change to the sources reuses the installed dependencies.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
ARG BERTH_VERSION=0.1.0
LABEL org.opencontainers.image.title="berth" \
      org.opencontainers.image.description="Container orchestration server for Docker hosts: GraphQL API, live subscriptions, dashboard" \
      org.opencontainers.image.version="${BERTH_VERSION}" \
      org.opencontainers.image.licenses="MIT"
# Production mode turns GraphiQL and introspection off unless BERTH_GRAPHIQL/BERTH_INTROSPECTION
# say otherwise; berth listens on every interface of its own network namespace, with
# authentication on (the admin token is printed once in the first start's log).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    BERTH_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# `npm start` and `npm run token` check for a build with it first (and find one).
COPY scripts/prestart.mjs ./scripts/
# A plain uid, not root, because names differ between bases. It reaches the Docker socket
# through the socket's group, given at run time (--group-add, or group_add in compose.yaml).
ARG BERTH_UID=1000
RUN mkdir -p /data && chown ${BERTH_UID}:${BERTH_UID} /data
USER ${BERTH_UID}:${BERTH_UID}
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/healthcheck.js"]
CMD ["node", "--enable-source-maps", "dist/main.js"]
