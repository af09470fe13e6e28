// Copy buttons of the static docs page. Delegated from the document so it also works after Blazor's enhanced navigation
// swaps the page in (scripts in swapped-in content do not run).
document.addEventListener('click', async event => {
    const button = event.target.closest('[data-copy-target]');
    const source = button && document.getElementById(button.dataset.copyTarget);
    if (!source) {
        return;
    }
    const status = document.getElementById('docs-copy-status');
    let message;
    try {
        await navigator.clipboard.writeText(source.textContent);
        button.textContent = 'Copied';
        message = `${button.dataset.copyLabel} copied to the clipboard.`;
    } catch {
        button.textContent = 'Copy failed';
        message = 'The browser refused clipboard access: select the text and copy it by hand.';
    }
    if (status) {
        status.textContent = message;
        status.classList.add('docs-toast-visible');
    }
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(() => {
        button.textContent = 'Copy';
        status?.classList.remove('docs-toast-visible');
    }, 2500);
});
