# syntax=docker/dockerfile:1
# Multi-stage build: compile with dev dependencies, ship only the compiled app and production dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json nest-cli.json ormconfig.ts ./
COPY scripts ./scripts
COPY src ./src
COPY sandbox ./sandbox
COPY test ./test
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist/src ./dist/src
COPY --from=build --chown=node:node /app/dist/ormconfig.js ./dist/ormconfig.js
# The image's unprivileged user; nothing in the app needs root.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The API; the same image runs the worker with: docker run ... node dist/src/worker.js
CMD ["node", "dist/src/main.js"]
