// An SDK unit serving demo.echo.v1.Echo whose Say answers who called:
// text = "<caller unit> <assertion expiry ms>", from unit.callerIdentity(call),
// or fails with the verification's status. Logs "caller UNIT instance ID".
import { sdk, grpc, echoService } from '../../fixtures/sdk-import.mjs';

const unit = sdk.connect();
const Echo = echoService();
const implementation = {
  Say: (call, callback) => {
    unit.callerIdentity(call).then(
      (id) => {
        console.log(`caller ${id.unit} instance ${id.instance}`);
        callback(null, { text: `${id.unit} ${id.expiresAtMs}`, unit: unit.name, pid: process.pid });
      },
      (e) => callback({ code: e.code === 'ENS_E_PERMISSION' ? grpc.status.PERMISSION_DENIED : grpc.status.UNAVAILABLE, details: e.message }),
    );
  },
};
await unit.serve({ services: [{ service: Echo.service, implementation }] });
await unit.ready();
