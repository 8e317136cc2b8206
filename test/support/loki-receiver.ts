// The loopback Loki push receiver for cross-part tests. It lives beside the Loki sink (in a
// `testing/` folder that the build leaves out) so that the backend's own tests can import it
// without leaving the backend's rootDir; this is the entry point for everything under test/.
export {
  parsePush,
  startLokiReceiver,
  type LokiReceiver,
  type ReceivedEntry,
  type ReceivedRequest,
  type ReceiverMode,
  type ReceiverOptions,
} from '../../backend/src/sinks/loki/testing/loki-receiver.js';
