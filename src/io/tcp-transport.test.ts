// Runs the Transport contract against real sockets on the loopback interface.
import { transportContract } from './transport.contract.js'
import { TcpTransport } from './tcp-transport.js'

transportContract('TcpTransport', () => ({ transport: new TcpTransport(), host: '127.0.0.1' }))
