import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RENDERER_CSP,
  allowNavigation,
  allowPermission,
  isRendererUrl,
  isSafeExternalUrl,
  isTrustedSender,
  secureWebPreferences,
  type RendererOrigin,
} from '../../electron/app/policy.ts';

const fileOrigin: RendererOrigin = { kind: 'file', indexUrl: 'file:///opt/app/resources/app.asar/out/renderer/index.html' };
const devOrigin: RendererOrigin = { kind: 'dev', origin: 'http://localhost:5173' };

test('windows are isolated, sandboxed and without Node', () => {
  const p = secureWebPreferences('/x/preload.cjs');
  assert.equal(p.contextIsolation, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInSubFrames, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.webviewTag, false);
  assert.equal(p.allowRunningInsecureContent, false);
});

test('the CSP allows only our own scripts and no inline or remote code', () => {
  assert.match(RENDERER_CSP, /default-src 'none'/);
  assert.match(RENDERER_CSP, /script-src 'self'(;|$)/);
  assert.doesNotMatch(RENDERER_CSP, /unsafe-inline|unsafe-eval|https?:|\*/);
  assert.match(RENDERER_CSP, /object-src 'none'/);
  assert.match(RENDERER_CSP, /frame-ancestors 'none'/);
});

test('IPC senders: only the top frame of our renderer page', () => {
  const index = 'file:///opt/app/resources/app.asar/out/renderer/index.html';
  assert.equal(isTrustedSender({ url: index, parent: null }, fileOrigin), true);
  assert.equal(isTrustedSender({ url: `${index}#/wizard`, parent: null }, fileOrigin), true);
  assert.equal(isTrustedSender({ url: index, parent: {} }, fileOrigin), false, 'iframe');
  assert.equal(isTrustedSender({ url: 'file:///etc/passwd', parent: null }, fileOrigin), false);
  assert.equal(isTrustedSender({ url: 'https://evil.example/', parent: null }, fileOrigin), false);
  assert.equal(isTrustedSender(null, fileOrigin), false);
  assert.equal(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, devOrigin), true);
  assert.equal(isTrustedSender({ url: 'http://localhost:5174/', parent: null }, devOrigin), false);
  assert.equal(isRendererUrl('not a url', fileOrigin), false);
  assert.equal(isRendererUrl('http://evil.example:5173/', { kind: 'dev', origin: 'http://evil.example:5173' }), false);
});

test('navigation and permissions are always denied', () => {
  for (const url of ['https://login.microsoftonline.com/', 'file:///etc/passwd', 'javascript:alert(1)']) {
    assert.equal(allowNavigation(url), false);
  }
  for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
    assert.equal(allowPermission(p), false);
  }
});

test('openExternal: https only, no credentials, no other schemes', () => {
  assert.equal(isSafeExternalUrl('https://login.microsoftonline.com/common/oauth2/v2.0/authorize?x=1'), true);
  for (const url of [
    'http://login.microsoftonline.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://host/share',
    'ms-settings:',
    'https://user:pass@example.com/',
    'not a url',
    '',
  ]) {
    assert.equal(isSafeExternalUrl(url), false, url);
  }
});
