// One line per catalog provider for the provider choice (display text only; behaviour comes from
// the catalog entry itself).
export const PROVIDER_BLURB: Readonly<Record<string, string>> = {
  'microsoft-365': 'Exchange Online: a work or school account (Entra ID).',
  'outlook-com': 'A personal Microsoft account: outlook.com, hotmail.com, live.com.',
  google: 'Gmail and Google Workspace.',
  yahoo: 'Yahoo Mail (needs an app approved by Yahoo).',
  generic: 'Any OpenID Connect / OAuth 2.0 provider: you enter its discovery URL.',
};
