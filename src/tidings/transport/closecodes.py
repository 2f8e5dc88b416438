"""WebSocket close codes Tidings sends (the table in docs/PROTOCOL.md).

| code | name                        | when                                                           |
|------|-----------------------------|----------------------------------------------------------------|
| 1000 | normal                      | legacy `connection_terminate`                                  |
| 1008 | policy violation            | handshake from a browser origin that is not allowed (HTTP 403) |
| 1009 | message too big             | a frame larger than TIDINGS_MAX_FRAME_BYTES                    |
| 1012 | service restart             | the server is shutting down; reconnect                         |
| 4400 | bad request                 | a malformed frame (graphql-transport-ws)                       |
| 4401 | unauthorized                | `subscribe`/`start` before `connection_ack`                    |
| 4403 | forbidden                   | missing, bad or expired token (at init, or when it expires)    |
| 4406 | subprotocol not acceptable  | neither graphql-transport-ws nor graphql-ws was offered        |
| 4408 | init timeout                | no `connection_init` within TIDINGS_INIT_TIMEOUT               |
| 4409 | subscriber already exists   | `subscribe` with an id that is still active                    |
| 4429 | too many init requests      | a second `connection_init`                                     |
| 4430 | too many connections, user  | the user has TIDINGS_MAX_CONNECTIONS_PER_USER open already     |
| 4431 | too many connections, IP    | the address has TIDINGS_MAX_CONNECTIONS_PER_IP open already    |
| 4432 | connecting too fast         | the address opened over TIDINGS_CONNECT_RATE_PER_IP a second   |
"""

from __future__ import annotations

WS_1000_NORMAL = 1000
WS_1008_POLICY_VIOLATION = 1008
WS_1009_MESSAGE_TOO_BIG = 1009
WS_1012_SERVICE_RESTART = 1012
WS_4400_BAD_REQUEST = 4400
WS_4401_UNAUTHORIZED = 4401
WS_4403_FORBIDDEN = 4403
WS_4406_SUBPROTOCOL_NOT_ACCEPTABLE = 4406
WS_4408_INIT_TIMEOUT = 4408
WS_4409_SUBSCRIBER_EXISTS = 4409
WS_4429_TOO_MANY_INIT = 4429
WS_4430_TOO_MANY_CONNECTIONS_PER_USER = 4430
WS_4431_TOO_MANY_CONNECTIONS_PER_IP = 4431
WS_4432_CONNECTING_TOO_FAST = 4432

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"
GRAPHQL_WS = "graphql-ws"
