// Swagger UI files embedded in the binary: `with { type: 'file' }` makes `bun build --compile`
// carry them, so /docs works with no internet. Each import yields a path Bun.file() can read.

import favicon32 from 'swagger-ui-dist/favicon-32x32.png' with { type: 'file' };
import uiCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' };
import bundleJs from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' };
import presetJs from 'swagger-ui-dist/swagger-ui-standalone-preset.js' with { type: 'file' };

export interface DocsAsset {
  readonly name: string;
  readonly contentType: string;
  readonly load: () => Promise<Uint8Array<ArrayBuffer>>;
}

const JS = 'text/javascript; charset=utf-8';
const fromFile = (name: string, path: string, contentType: string): DocsAsset => ({
  name,
  contentType,
  load: () => Bun.file(path).bytes(),
});

// Our own init script: a file, not an inline <script>, so the CSP can say `script-src 'self'`.
// It reads its settings from data attributes; validatorUrl null stops the badge calling swagger.io.
// The document lists only the tools the caller may use, so it is fetched with the bearer entered
// under Authorize (kept by persistAuthorization), and fetched again after Authorize and Logout.
const INIT_JS = `window.addEventListener('load', function () {
  var el = document.getElementById('swagger-ui');
  var url = el.dataset.openapiUrl;
  function bearer() {
    try {
      var auth = window.ui && window.ui.authSelectors ? window.ui.authSelectors.authorized().toJS()
        : JSON.parse(window.localStorage.getItem('authorized') || '{}');
      for (var name in auth || {}) {
        var a = auth[name];
        if (a && a.schema && a.schema.scheme === 'bearer' && a.value) return String(a.value);
      }
      return '';
    } catch (e) {
      return '';
    }
  }
  function reloadAfter(action) {
    return function (ori) {
      return function (payload) {
        var r = ori(payload);
        setTimeout(function () { window.ui.specActions.download(url); }, 0);
        return r;
      };
    };
  }
  var ReloadOnAuth = function () {
    return { statePlugins: { auth: { wrapActions: { authorize: reloadAfter('authorize'), logout: reloadAfter('logout') } } } };
  };
  window.ui = SwaggerUIBundle({
    url: url,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    validatorUrl: null,
    requestInterceptor: function (req) {
      var key = req.loadSpec ? bearer() : '';
      if (key) req.headers.Authorization = 'Bearer ' + key;
      return req;
    },
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl, ReloadOnAuth],
    layout: 'StandaloneLayout'
  });
});
`;

export const DOCS_ASSETS: readonly DocsAsset[] = [
  fromFile('swagger-ui-bundle.js', bundleJs, JS),
  fromFile('swagger-ui-standalone-preset.js', presetJs, JS),
  fromFile('swagger-ui.css', uiCss, 'text/css; charset=utf-8'),
  fromFile('favicon-32x32.png', favicon32, 'image/png'),
  { name: 'init.js', contentType: JS, load: async () => new TextEncoder().encode(INIT_JS) },
];
