// No user reaches another account's data: foreign ids answer 404.
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { apiSignIn, createAccount, idempotencyKey, userOf } from './fixtures/api';
import { signInAs } from './fixtures/pages';

test("an owner gets 404 for another account's member and changes nothing", async ({ page, request, baseURL }) => {
  const ours = await createAccount(request);
  const theirs = await createAccount(request);

  const other = await playwrightRequest.newContext({ baseURL });
  await apiSignIn(other, userOf(theirs, 'owner'));
  const theirMembers = await (await other.get('/api/members')).json();
  const theirMember = theirMembers.data.find((m: { role: string; billing_access: string }) => m.role === 'member' && m.billing_access === 'none');
  expect(theirMember).toBeTruthy();

  await signInAs(page, userOf(ours, 'owner'));
  const res = await page.request.patch(`/api/members/${theirMember.id}`, {
    headers: { 'Idempotency-Key': idempotencyKey() },
    data: { billing_access: 'manage' },
  });
  expect(res.status()).toBe(404);
  expect((await res.json()).error.code).toBe('not_found');

  const after = await (await other.get('/api/members')).json();
  const same = after.data.find((m: { id: string }) => m.id === theirMember.id);
  expect(same.billing_access).toBe('none');
  // And our session only ever names our own account.
  const session = await (await page.request.get('/api/session')).json();
  expect(session.account.id).toBe(ours.account_id);
  await other.dispose();
});
