/**
 * The sale confirmation (成交确认书) as a PDF. Chinese text is rendered with Noto Sans SC shipped by an npm
 * package and embedded (subset) in the file, so it works on a machine without system fonts.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { formatYuan, toChineseCapital } from '@fapai/domain';
import type { Settlement } from './settlement.entity.js';

const require = createRequire(import.meta.url);
const FONT = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const FONT_BOLD = require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf');

const shanghai = (d: Date): string =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(d);

export function renderConfirmationPdf(s: Settlement): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 60, info: { Title: `成交确认书 ${s.confirmationNo}`, Author: 'fapai', Subject: s.lotTitle } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('cjk', FONT);
    doc.registerFont('cjk-bold', FONT_BOLD);
    doc.font('cjk-bold').fontSize(20).text('网络司法拍卖成交确认书', { align: 'center' });
    doc.moveDown(0.3).font('cjk').fontSize(10).fillColor('#555').text(`编号 No. ${s.confirmationNo}`, { align: 'center' }).fillColor('#000');
    doc.moveDown(1.2).fontSize(12);
    const row = (label: string, value: string): void => {
      doc.font('cjk-bold').text(`${label}：`, { continued: true }).font('cjk').text(value);
      doc.moveDown(0.4);
    };
    row('拍卖法院', s.courtName);
    row('案号', s.caseNumber);
    row('拍卖标的', s.lotTitle);
    row('买受人', s.buyerName);
    row('竞买代码', s.bidderCode);
    row('成交价', `${formatYuan(s.price)}（人民币${toChineseCapital(s.price)}）`);
    row('成交时间', `${shanghai(s.soldAt)}（北京时间）`);
    row('已付保证金（抵作价款）', formatYuan(s.depositApplied));
    row('应付余款', `${formatYuan(s.balanceDue)}，于 ${shanghai(s.balanceDeadline)} 前付清`);
    doc.moveDown(1);
    doc.fontSize(11).text(
      '买受人通过网络司法拍卖平台竞价成功，现予确认。买受人应在上述期限内缴清余款；逾期未付的，人民法院可以裁定重新拍卖，' +
        '买受人交纳的保证金不予退还（《最高人民法院关于人民法院网络司法拍卖若干问题的规定》第二十四条）。' +
        '标的物所有权自拍卖成交裁定送达买受人时起转移（同规定第二十二条）。',
      { align: 'justify', lineGap: 3 },
    );
    doc.moveDown(2).fontSize(10).fillColor('#555').text(`本确认书由网络司法拍卖平台自动生成并公示（同规定第二十二条）。生成时间：${shanghai(s.createdAt)}`);
    doc.end();
  });
}
