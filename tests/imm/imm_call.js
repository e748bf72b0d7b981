// Calls hlsfs's IMM endpoint with Alibaba Cloud's generic client
// (@alicloud/openapi-client), exactly as IMM's generated SDK
// (@alicloud/imm20200930) makes GenerateVideoPlaylist: style RPC, POST,
// pathname "/", complex parameters JSON-encoded, signature V3 by default.
//
//   node imm_call.js ENDPOINT ACCESS_KEY_ID SECRET REQUEST.json [--v2] [--form]
//
// REQUEST.json holds IMM's request as objects (Targets a list, ...); like the
// SDK, this encodes Targets, SourceSubtitles, Tags, Notification and
// CredentialConfig as JSON strings. --v2 signs with the RPC V2 signature
// (HMAC-SHA1), --form sends the parameters as a form body instead of the
// query. Prints {"statusCode", "body"} from the client's parsed response, or
// {"error": {"code", "statusCode", "message"}} from the client's own error
// (exit status 3).
const fs = require('fs');
const OpenApi = require('@alicloud/openapi-client');
const OpenApiUtil = require('@alicloud/openapi-util').default;
const Util = require('@alicloud/tea-util');

const [endpoint, id, secret, file, ...flags] = process.argv.slice(2);
const request = JSON.parse(fs.readFileSync(file, 'utf8'));
const jsonEncoded = ['Targets', 'SourceSubtitles', 'Tags', 'Notification', 'CredentialConfig'];
const params = {};
for (const [k, v] of Object.entries(request))
  params[k] = jsonEncoded.includes(k) ? OpenApiUtil.arrayToStringWithSpecifiedStyle(v, k, 'json') : v;

const config = new OpenApi.Config({accessKeyId: id, accessKeySecret: secret, endpoint, protocol: 'http'});
if (flags.includes('--v2')) config.signatureAlgorithm = 'v2';
const client = new OpenApi.default(config);
const req = new OpenApi.OpenApiRequest(
    flags.includes('--form') ? {body: params} : {query: OpenApiUtil.query(params)});
const apiParams = new OpenApi.Params({
  action: 'GenerateVideoPlaylist', version: '2020-09-30', protocol: 'HTTPS', pathname: '/', method: 'POST',
  authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
});
const runtime = new Util.RuntimeOptions({autoretry: false, readTimeout: 60000, connectTimeout: 5000});
client.callApi(apiParams, req, runtime).then(
    (res) => console.log(JSON.stringify({statusCode: res.statusCode, body: res.body})),
    (err) => {
      console.log(JSON.stringify({error: {code: err.code, statusCode: err.data && err.data.statusCode,
                                          message: err.message}}));
      process.exit(3);
    });
