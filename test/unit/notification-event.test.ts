import * as z from 'zod';
import {
  canonicalUserId,
  derivedEventId,
  eventDestinations,
  requestEventBodySchema,
} from '../../lambdas/shared/domain/notification-event';
import { NotificationRequested, NotificationSent } from '../../lambdas/shared/events';

describe('derivedEventId', () => {
  it('is the same for the same (user, key), a valid RFC 9562 UUID, and differs per user and key', () => {
    const id = derivedEventId('alice', 'key-1');
    expect(derivedEventId('alice', 'key-1')).toBe(id);
    expect(z.string().uuid().safeParse(id).success).toBe(true);
    expect(id[14]).toBe('8'); // version 8
    expect(derivedEventId('bob', 'key-1')).not.toBe(id);
    expect(derivedEventId('alice', 'key-2')).not.toBe(id);
  });

  it('compares users in canonical form (NFC, lower case)', () => {
    expect(canonicalUserId('ÉVE')).toBe(canonicalUserId('E\u0301ve'));
    expect(derivedEventId('Alice', 'k')).toBe(derivedEventId('alice', 'k'));
  });
});

describe('POST /events body', () => {
  const ok = { event_type: 'a.b_c', message: 'hi' };
  it.each([
    ['event_type of 64 characters', { ...ok, event_type: `a${'b'.repeat(63)}` }, true],
    ['event_type of 65 characters', { ...ok, event_type: `a${'b'.repeat(64)}` }, false],
    ['event_type starting with a digit', { ...ok, event_type: '1a' }, false],
    ['a fullwidth letter', { ...ok, event_type: 'ａ' }, false],
    ['1000 emoji', { ...ok, message: '👾'.repeat(1000) }, true],
    ['1001 characters', { ...ok, message: 'x'.repeat(1001) }, false],
    ['NUL in a payload key', { ...ok, payload: { 'a\u0000': 1 } }, false],
    ['an 8 KiB payload', { ...ok, payload: { b: 'x'.repeat(8 * 1024 - 8) } }, true],
    ['an 8 KiB + 1 payload', { ...ok, payload: { b: 'x'.repeat(8 * 1024 - 7) } }, false],
  ])('%s: valid %s', (_, body, valid) => {
    expect(requestEventBodySchema.safeParse(body).success).toBe(valid);
  });
});

describe('eventDestinations', () => {
  it('email and/or SMS as the payload names them; neither: both default channels', () => {
    expect(eventDestinations({ email: 'a@b.co' })).toEqual({
      channels: ['email'],
      address: { email: 'a@b.co' },
    });
    expect(eventDestinations({ phone: '+14155550100', email: 'not-an-email' })).toEqual({
      channels: ['sms'],
      address: { sms: '+14155550100' },
    });
    expect(eventDestinations({ phone: '0044 20 1234' }).channels).toEqual(['email', 'sms']);
    expect(eventDestinations(undefined).channels).toEqual(['email', 'sms']);
  });
});

describe('event contracts', () => {
  it('NotificationRequested comes from the api; NotificationSent names a payment or a requested event, not both', () => {
    expect(NotificationRequested.source).toBe('payments.api');
    const base = {
      event_id: '6f1c1f8e-3c55-4b0b-9e0e-1f2a3b4c5d6e',
      event_version: 1,
      occurred_at: new Date().toISOString(),
      correlation_id: 'c',
      notification: {
        id: '6f1c1f8e-3c55-4b0b-9e0e-1f2a3b4c5d6f',
        channel: 'email',
        sent_at: new Date().toISOString(),
      },
    };
    const requested = { id: base.event_id, event_type: 'a' };
    expect(NotificationSent.schema.safeParse({ ...base, requested_event: requested }).success).toBe(true);
    expect(NotificationSent.schema.safeParse(base).success).toBe(false);
  });
});
