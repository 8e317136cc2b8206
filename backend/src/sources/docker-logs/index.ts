/**
 * Container logs from the Docker engine (issue "Container logs ... delivered without loss").
 *
 *     const logs = new DockerLogSource({ client, store, emitter: pipeline, metrics, log, hostName, cfg: config.logs,
 *                                        selfContainerId: config.docker.self_container_id ?? detectSelfContainerId() });
 *     logs.start();
 *     ...
 *     await logs.stop();   // before the pipeline's last flush and store.close(); the client is the caller's
 *
 * `status()` is for `GET /api/v1/health` (`sources.docker_logs`).
 */
export { DockerLogSource, type DockerLogSourceOptions, type DockerLogSourceStatus, type DockerLogContainerStatus } from './source.js';
export { logsConfigSchema, type LogsConfig, type LogsConfigInput } from './config.js';
export { ContainerFilter, OPT_OUT_LABEL } from './filter.js';
export { FrameDemuxer, FrameError } from './frames.js';
export { FramedLineAssembler, RawLineAssembler, lineAssembler, PARTIAL_SIZE, type LogLine } from './lines.js';
export { LogPosition, REORDER_WINDOW_NS, type StoredPosition } from './position.js';
