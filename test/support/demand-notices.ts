// A spread of demand notices like an annual run's, built by the real code (calculateCharge →
// buildDemandNotice): council tax in every band, some discounts and part years, some joint
// liability, every tenth a business rates bill. For PDF tests and the demand-notice benchmark.
import { addDays, financialYearStart } from '../../src/domain/calendar.ts';
import { calculateCharge, type ChargeSnapshot } from '../../src/modules/billing/charge-calculation.ts';
import { buildDemandNotice } from '../../src/modules/billing/demand-notice.ts';
import { defaultReductionRates } from '../../src/modules/billing/reductions.ts';
import type { LetterContent } from '../../src/modules/documents/letter.ts';

const from: LetterContent['from'] = {
  name: 'Wigan Council', department: 'Revenues and Benefits',
  addressLines: ['Town Hall', 'Library Street', 'Wigan', 'WN1 1YN'], phone: '01942 404364', website: 'www.wigan.gov.uk',
};
const BANDS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

export function sampleDemandNotices(count: number): LetterContent[] {
  const letters: LetterContent[] = [];
  for (let i = 0; i < count; i++) {
    const rates = i % 10 === 9;
    const fy = '2026/27';
    const start = financialYearStart(fy);
    const snapshot: ChargeSnapshot = rates
      ? {
          tax: 'business_rates', nation: 'england', financialYear: fy,
          liabilities: [{ id: 1, from: '2020-01-01', to: null, propertyId: 1 }],
          valuations: { 1: [{ effectiveFrom: '2023-04-01', band: null, rateableValuePounds: 9_000 + (i % 50) * 1_000, retailHospitalityLeisure: i % 3 === 0 }] },
          reductions: i % 4 === 0 ? [{ id: 1, code: 'small_business_relief', from: start, to: null }] : [],
        }
      : {
          tax: 'council_tax', nation: 'england', financialYear: fy,
          liabilities: [{ id: 1, from: i % 7 === 0 ? addDays(start, 40 + (i % 90)) : '2019-06-01', to: null, propertyId: 1 }],
          valuations: { 1: [{ effectiveFrom: '1993-04-01', band: BANDS[i % 8], rateableValuePounds: null, retailHospitalityLeisure: false }] },
          reductions: i % 3 === 0 ? [{ id: 1, code: 'single_person', from: '2019-06-01', to: null }] : [],
          councilTax: {
            bandDPence: 226_050,
            precepts: [
              { preceptor: 'Wigan Council (including adult social care)', bandDPence: 187_050 },
              { preceptor: 'Greater Manchester Mayoral Police and Crime Commissioner', bandDPence: 30_000 },
              { preceptor: 'Greater Manchester Fire and Rescue', bandDPence: 9_000 },
            ],
            reductionRates: defaultReductionRates(2026),
          },
        };
    const calculation = calculateCharge(snapshot);
    const net = calculation.totals.net;
    const instalments = Array.from({ length: 10 }, (_, k) => ({
      dueOn: `${k < 9 ? 2026 : 2027}-${String(((k + 3) % 12) + 1).padStart(2, '0')}-01`,
      amountPence: k === 0 ? net - 9 * Math.round(net / 1000) * 100 : Math.round(net / 1000) * 100,
    }));
    letters.push(buildDemandNotice({
      from,
      to: { name: `Resident ${i}`, addressLines: [`${i} Bench Street`, 'Wigan', `WN${1 + (i % 7)} ${i % 9}AB`] },
      reference: `${rates ? 'NNDR' : 'CT'}${String(10_000_000 + i)}`,
      issuedOn: '2026-03-08', tax: snapshot.tax, financialYear: 2026, kind: 'annual', amended: false,
      reason: 'annual bill', propertyAddress: `${i} Bench Street, Wigan`, liable: i % 5 === 0 ? [`Resident ${i}`, `Partner ${i}`] : [`Resident ${i}`],
      propertyDescription: rates ? 'Shop and premises' : null,
      calculation, previousChargePence: 0, creditsBeforePence: 0, instalments, payingByDirectDebit: i % 3 !== 0,
      previousBandDPence: rates ? null : 215_000,
    }).content);
  }
  return letters;
}
