// @ts-check
/*
 * Files for a reply: the composer's Attach button uploads each picked file (POST
 * /api/v1/attachments, multipart) and lists it above the reply box; the next reply of that
 * conversation carries them (the `reply` frame's `attachments`), then the list is empty.
 */

import { ApiError, clear, el, getToken } from '../common.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Attachment, AttachmentRef } from '../protocol.js'
 */

/**
 * @param {File} file
 * @returns {Promise<Attachment>}
 */
async function upload(file) {
  const form = new FormData();
  form.append('file', file, file.name);
  const token = getToken();
  const res = await fetch('/api/v1/attachments', {
    method: 'POST', body: form, credentials: 'same-origin',
    headers: token ? { Authorization: 'Bearer ' + token, Accept: 'application/json' } : { Accept: 'application/json' },
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return /** @type {Attachment} */ (data);
}

/**
 * The files waiting for this conversation's next reply, as the frame names them; taken,
 * so the list is empty afterwards.
 * @param {Ctx} ctx
 * @param {string} id
 * @returns {{ refs: AttachmentRef[], files: Attachment[] }}
 */
export function takeAttachments(ctx, id) {
  const files = ctx.S.attachments.get(id) || [];
  ctx.S.attachments.delete(id);
  renderAttachments(ctx);
  const refs = files.filter((a) => a.sha256).map((a) => ({
    sha256: String(a.sha256), name: a.name || 'attachment', content_type: a.content_type || 'application/octet-stream',
  }));
  return { refs, files };
}

/** @param {Ctx} ctx */
export function renderAttachments(ctx) {
  const { S, dom } = ctx;
  const files = (S.selectedId && !S.past && S.attachments.get(S.selectedId)) || [];
  clear(dom.attachList);
  dom.attachList.hidden = !files.length;
  files.forEach((a, i) => {
    dom.attachList.appendChild(el('li', { class: 'chip', testid: 'attachment-chip' },
      a.name || 'attachment',
      el('button', {
        class: 'chip-remove', text: '×', title: 'Remove', attrs: { type: 'button', 'aria-label': 'Remove ' + (a.name || 'file') },
        on: { click: () => { files.splice(i, 1); renderAttachments(ctx); } },
      })));
  });
}

/** @param {Ctx} ctx */
export function bindAttach(ctx) {
  const { dom, S } = ctx;
  dom.attach.addEventListener('click', () => dom.attachFile.click());
  dom.attachFile.addEventListener('change', async () => {
    const id = S.selectedId;
    const picked = Array.from(dom.attachFile.files || []);
    dom.attachFile.value = '';
    if (!id || !picked.length) return;
    dom.attach.disabled = true;
    dom.attach.textContent = 'Uploading…';
    try {
      for (const file of picked) {
        const a = await upload(file);
        S.attachments.set(id, (S.attachments.get(id) || []).concat([a]));
        renderAttachments(ctx);
      }
    } catch (e) {
      ctx.apiError(e, 'Could not upload the file');
    } finally {
      dom.attach.disabled = false;
      dom.attach.textContent = 'Attach';
    }
  });
}
