import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newAlakaiTraceId, toAlakaiTraceId, toOtelTraceId } from '../../../src/contract/trace-id.js';

describe('trace id policy', () => {
  it('maps a UUID to its 32 hex digits and back, any case in', () => {
    expect(toOtelTraceId('3F2C8A1E-9B4D-4C6E-8F7A-1D2E3C4B5A69')).toEqual({
      ok: true,
      traceId: '3f2c8a1e9b4d4c6e8f7a1d2e3c4b5a69',
      exact: true,
    });
    expect(toAlakaiTraceId('3f2c8a1e9b4d4c6e8f7a1d2e3c4b5a69')).toBe('3f2c8a1e-9b4d-4c6e-8f7a-1d2e3c4b5a69');
    expect(toAlakaiTraceId('3F2C8A1E9B4D4C6E8F7A1D2E3C4B5A69')).toBe('3f2c8a1e-9b4d-4c6e-8f7a-1d2e3c4b5a69');
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const mapped = toOtelTraceId(uuid);
        expect(mapped.ok && mapped.exact && toAlakaiTraceId(mapped.traceId)).toBe(uuid.toLowerCase());
      }),
    );
  });

  it('maps 32 hex digits exactly (lowercased)', () => {
    expect(toOtelTraceId('ABCDEF0123456789ABCDEF0123456789')).toEqual({
      ok: true,
      traceId: 'abcdef0123456789abcdef0123456789',
      exact: true,
    });
  });

  it('derives other printable ids deterministically: first 32 hex of sha-256', () => {
    // sha-256("a1b2c3d4-...") computed independently with `printf %s 'a1b2c3d4-...' | sha256sum`.
    expect(toOtelTraceId('a1b2c3d4-...')).toEqual({
      ok: true,
      traceId: '39311870d84a3e094d7d936f2b39c176',
      exact: false,
    });
    expect(toOtelTraceId('00000000-0000-0000-0000-000000000000')).toMatchObject({ ok: true, exact: false });
    fc.assert(
      fc.property(fc.stringMatching(/^[ -~]{1,256}$/), (id) => {
        const a = toOtelTraceId(id);
        expect(a).toEqual(toOtelTraceId(id));
        expect(a.ok && /^[0-9a-f]{32}$/.test(a.traceId) && a.traceId !== '0'.repeat(32)).toBe(true);
      }),
    );
  });

  it('refuses empty, oversize and non-printable ids with a reason', () => {
    expect(toOtelTraceId('')).toEqual({ ok: false, reason: 'empty' });
    expect(toOtelTraceId('a'.repeat(257))).toEqual({ ok: false, reason: 'too_long' });
    expect(toOtelTraceId('abc\ndef')).toEqual({ ok: false, reason: 'not_printable_ascii' });
    expect(toOtelTraceId('ünïcode')).toEqual({ ok: false, reason: 'not_printable_ascii' });
  });

  it('newAlakaiTraceId is a UUIDv4 that maps exactly', () => {
    const id = newAlakaiTraceId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(toOtelTraceId(id)).toMatchObject({ ok: true, exact: true });
  });
});
