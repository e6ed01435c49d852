# The plain Dockerfile: the steps every Node.js image takes, and nothing else. The Dockerfile
# beside it does the same job, with a faster rebuild and a few more settings.
FROM node:24-slim

# Every path from here on is inside the image, under /app.
WORKDIR /app

# The dependency manifest and its lockfile first, then install exactly what the lockfile says.
COPY package*.json ./
RUN npm ci --omit=dev

# Then the source.
COPY main.ts ./

# Run as the unprivileged user that the node image provides, not as root.
USER node

# What a container of this image runs when it starts.
CMD ["node", "main.ts"]
