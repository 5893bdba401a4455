/**
 * Putting a dataset's code into a notebook: as a new cell below the active one, or by dragging a dataset
 * onto a notebook (a Lumino drag carrying Jupyter's cell MIME type, which notebooks accept as a drop).
 */
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { MimeData } from '@lumino/coreutils';
import { Drag } from '@lumino/dragdrop';

/** The MIME type of cells that notebooks accept in a drop. */
export const CELLS_MIME = 'application/vnd.jupyter.cells';

function codeCell(source: string) {
  return { cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null };
}

/**
 * Inserts a code cell below the active cell of the current notebook and makes it active. Returns the
 * notebook, or null when no notebook is open.
 */
export function insertCodeCell(tracker: INotebookTracker, source: string): NotebookPanel | null {
  const panel = tracker.currentWidget;
  const notebook = panel?.content;
  const model = notebook?.model;
  if (!panel || !notebook || !model) {
    return null;
  }
  const index = notebook.activeCellIndex < 0 ? model.cells.length : notebook.activeCellIndex + 1;
  model.sharedModel.insertCell(index, codeCell(source));
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  void notebook.activeCell?.ready.then(() => notebook.scrollToItem(index));
  return panel;
}

/** Starts dragging a code cell from a pointer position; resolves with the drop action. */
export function dragCodeCell(
  source: string,
  label: string,
  clientX: number,
  clientY: number
): Promise<Drag.DropAction> {
  const mimeData = new MimeData();
  mimeData.setData(CELLS_MIME, [codeCell(source)]);
  mimeData.setData('text/plain', source);
  const dragImage = document.createElement('div');
  dragImage.className = 'esdl-Catalog-dragImage';
  // the label is a server's title: textContent keeps it text
  dragImage.textContent = label;
  const drag = new Drag({ mimeData, dragImage, proposedAction: 'copy', supportedActions: 'copy', source: null });
  return drag.start(clientX, clientY);
}
