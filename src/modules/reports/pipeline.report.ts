// The recovery pipeline: account-years at each stage and what they owe, notices issued each week
// and by each run, and the magistrates' court's outcomes by hearing (recovery and court modules).
import { STAGE_LABELS, STAGES, type StageCode } from '../../domain/recovery/timetable.ts';
import { formatPence } from '../../domain/money.ts';
import { longDate, streamLabel, type ReportBuilder } from './report-context.ts';
import type { ReportColumn, Row } from './report-model.ts';
import { STAGE_COLUMNS, stageRowsOf } from './arrears.report.ts';

const stageLabel = (stage: string) => STAGE_LABELS[stage as StageCode] ?? stage;

export const buildPipeline: ReportBuilder = async ({ repo, filters }) => {
  const { from, to } = filters;
  const streams = filters.stream ? [filters.stream] : null;
  const [stages, weeks, runs, court] = await Promise.all([
    repo.stages(filters.authorityIds, streams),
    repo.stepsByWeek(filters.authorityIds, streams, from, to),
    repo.stepsByRun(filters.authorityIds, streams, from, to),
    repo.courtOutcomes(filters.authorityIds, from, to),
  ]);

  const stageColumns: ReportColumn[] = STAGES.map((s) => ({ key: s, label: STAGE_LABELS[s], type: 'count' }));
  const weekKeys = [...new Set(weeks.map((w) => w.week))].sort();
  const flows: Row[] = weekKeys.map((week) => {
    const row: Row = { week: longDate(week), weekShort: week.slice(5).split('-').reverse().join('/') };
    for (const s of STAGES) row[s] = weeks.find((w) => w.week === week && w.stage === s)?.steps ?? 0;
    row.amountPence = weeks.filter((w) => w.week === week).reduce((sum, w) => sum + w.amount_pence, 0);
    row.costsPence = weeks.filter((w) => w.week === week).reduce((sum, w) => sum + w.costs_pence, 0);
    return row;
  });

  const runRows: Row[] = runs.map((r) => ({
    run: r.batch_run_id,
    asOf: r.as_of,
    status: r.status ?? '',
    stage: stageLabel(r.stage),
    notices: r.steps,
    amountPence: r.amount_pence,
    costsPence: r.costs_pence,
  }));

  const courtRows: Row[] = court.map((h) => ({
    hearing: longDate(h.hearing_on),
    court: h.court_name,
    granted: h.granted,
    withdrawn: h.withdrawn,
    adjourned: h.adjourned,
    dismissed: h.dismissed,
    awaiting: h.awaiting,
    grantedPence: h.granted_pence,
  }));
  const totalSteps = weeks.reduce((s, w) => s + w.steps, 0);
  const granted = court.reduce((s, h) => s + h.granted, 0);

  return {
    headline: [
      { label: `Notices and steps ${longDate(from)} to ${longDate(to)}`, value: totalSteps.toLocaleString('en-GB') },
      { label: 'Liability orders granted', value: granted.toLocaleString('en-GB') },
      { label: 'Granted (sum and costs)', value: formatPence(court.reduce((s, h) => s + h.granted_pence, 0)) },
    ],
    tables: [
      { key: 'stages', title: 'Account-years at each recovery stage', columns: STAGE_COLUMNS, rows: stageRowsOf(stages), empty: 'No recovery run has looked at these accounts yet.' },
      {
        key: 'flows', title: `Steps taken each week, ${longDate(from)} to ${longDate(to)}`,
        columns: [{ key: 'week', label: 'Week beginning', type: 'text' }, ...stageColumns,
          { key: 'amountPence', label: 'Amount demanded', type: 'pence' }, { key: 'costsPence', label: 'Costs', type: 'pence' }],
        rows: flows, empty: 'No recovery steps in this period.',
      },
      {
        key: 'runs', title: 'Notices by recovery run',
        columns: [
          { key: 'run', label: 'Run', type: 'count' },
          { key: 'asOf', label: 'As of', type: 'date' },
          { key: 'status', label: 'Run status', type: 'text' },
          { key: 'stage', label: 'Stage', type: 'text' },
          { key: 'notices', label: 'Notices', type: 'count' },
          { key: 'amountPence', label: 'Amount demanded', type: 'pence' },
          { key: 'costsPence', label: 'Costs', type: 'pence' },
        ],
        rows: runRows, empty: 'No recovery run issued notices in this period.',
      },
      {
        key: 'court', title: 'Court outcomes by hearing',
        columns: [
          { key: 'hearing', label: 'Hearing', type: 'text' },
          { key: 'court', label: 'Court', type: 'text' },
          { key: 'granted', label: 'Granted', type: 'count' },
          { key: 'withdrawn', label: 'Withdrawn', type: 'count' },
          { key: 'adjourned', label: 'Adjourned', type: 'count' },
          { key: 'dismissed', label: 'Dismissed', type: 'count' },
          { key: 'awaiting', label: 'Awaiting an outcome', type: 'count' },
          { key: 'grantedPence', label: 'Granted (sum and costs)', type: 'pence' },
        ],
        rows: courtRows, empty: 'No hearings in this period.',
      },
    ],
    charts: [
      ...[...new Set(stages.map((s) => s.stream))].sort().map((stream) => ({
        table: 'stages', kind: 'bar' as const, x: 'stage', where: { stream: streamLabel(stream) },
        title: `${streamLabel(stream)}: account-years at each recovery stage`,
        description: `How many ${streamLabel(stream).toLowerCase()} account-years stand at each recovery position.`,
        series: [{ column: 'cases', label: 'Account-years' }],
      })),
      {
        table: 'flows', kind: 'bar' as const, stacked: true, x: 'weekShort',
        title: 'Recovery steps each week',
        description: 'Reminders, final notices, summonses and liability orders issued each week, by stage.',
        series: STAGES.map((s) => ({ column: s, label: STAGE_LABELS[s] })),
      },
      {
        table: 'court', kind: 'bar' as const, stacked: true, x: 'hearing',
        title: 'Court outcomes by hearing',
        description: 'Cases granted, withdrawn, adjourned and dismissed at each hearing, and those awaiting an outcome.',
        series: [
          { column: 'granted', label: 'Granted' }, { column: 'withdrawn', label: 'Withdrawn' }, { column: 'adjourned', label: 'Adjourned' },
          { column: 'dismissed', label: 'Dismissed' }, { column: 'awaiting', label: 'Awaiting' },
        ],
      },
    ],
    notes: [
      'Stages are the positions the last recovery run recorded for each account-year, with what each owed then.',
      'Weekly flows count each recovery step (reminder, final notice, summons, liability order) on the day it was issued; weeks begin on Monday.',
      'Arrangements, attachments of earnings and enforcement agents are in the report “Arrangements, attachments and enforcement agents”.',
      ...(filters.stream ? [`Only ${streamLabel(filters.stream).toLowerCase()} is shown (court outcomes cover every stream).`] : []),
    ],
  };
};
