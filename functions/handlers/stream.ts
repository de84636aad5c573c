import { handleConnection, type WebSocketEvent } from '#stream/connection.routes';

/** The WebSocket API's `$connect`, `$disconnect` and `$default` routes (functions/stream/connection.routes.ts). */
export const handler = (event: WebSocketEvent) => handleConnection(event);
