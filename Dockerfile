# syntax=docker/dockerfile:1
# stockcast's SageMaker training image. SageMaker starts it as `docker run <image> train`; stockcast sees /opt/ml
# (hyperparameters.json, the input channels, /opt/ml/checkpoints) and leaves the model in /opt/ml/model.
# See "Scale-out" in the README.
#   CPU instances:  docker build -t stockcast:0.1.0 .
#   GPU instances:  docker build --build-arg GPU=1 \
#                     --build-arg RUNTIME_BASE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 -t stockcast:0.1.0-gpu .
# A local run without SageMaker: docker run --rm stockcast:0.1.0 --help
ARG RUNTIME_BASE=node:20-bookworm-slim

FROM node:20-bookworm-slim AS build
ARG GPU=0
# the native engine runs on whatever instance SageMaker picks, not on this build host: x86-64-v3 (AVX2, FMA) is on
# every current x86 SageMaker instance; a failed build only means the wasm engine is used
ARG NATIVE_MARCH=x86-64-v3
RUN apt-get update && apt-get install -y --no-install-recommends g++ make python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/stockcast
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY native/src ./native/src
COPY src ./src
# npm ci runs `prepare`: the TypeScript build into dist/ and the native engine into native/build/
RUN STOCKCAST_NATIVE_MARCH=${NATIVE_MARCH} npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p native/build
# @tensorflow/tfjs-node-gpu downloads libtensorflow (CUDA 11.2, cuDNN 8) at install: only in the GPU image
RUN if [ "$GPU" = 1 ]; then npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0; fi

FROM ${RUNTIME_BASE}
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /opt/stockcast
COPY --from=build /opt/stockcast/package.json ./
COPY --from=build /opt/stockcast/node_modules ./node_modules
COPY --from=build /opt/stockcast/dist ./dist
COPY --from=build /opt/stockcast/native/build ./native/build
COPY src/serve/public ./src/serve/public
ENV NODE_ENV=production STOCKCAST_HOME=/tmp/stockcast
ENTRYPOINT ["node", "/opt/stockcast/dist/cli/main.js"]
CMD ["--help"]
