// Reads a camera with the independent npm 'onvif' client: prints one JSON line with its device information and
// stream URI, or {"error": "..."} and exit code 1. Usage: node read-camera.js HOST PORT USERNAME PASSWORD
'use strict';
const { Cam } = require('onvif');

const [hostname, port, username, password] = process.argv.slice(2);
const fail = (err) => {
  console.log(JSON.stringify({ error: String(err && err.message ? err.message : err) }));
  process.exit(1);
};
setTimeout(() => fail('timed out'), 20000).unref();

new Cam({ hostname, port: Number(port), username, password, path: '/onvif/device_service', timeout: 10000, preserveAddress: true }, function (err) {
  if (err) return fail(err);
  this.getDeviceInformation((err, info) => {
    if (err) return fail(err);
    this.getStreamUri({ protocol: 'RTSP' }, (err, stream) => {
      if (err) return fail(err);
      console.log(JSON.stringify({ deviceInformation: info, streamUri: stream.uri, profiles: this.profiles.length }));
      process.exit(0);
    });
  });
});
