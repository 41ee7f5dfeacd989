using System.CommandLine;
using CameraHub.Masking.Calibration;
using CameraHub.Masking.Files;
using Microsoft.Extensions.DependencyInjection;

namespace CameraHub.Masking.Cli;

/// <summary>The `mask` verb: masks a video file with a camera's registered profile and calibration.</summary>
public static class MaskCommand
{
    /// <summary>
    /// Creates the verb. <paramref name="services"/> builds the host's services from the unmatched tokens (configuration
    /// such as --CameraHub:DataDirectory) and prepares the database.
    /// </summary>
    public static Command Create(Func<string[], CancellationToken, Task<IServiceProvider>> services)
    {
        var input = new Argument<FileInfo>("input") { Description = "the video file to mask (anything ffmpeg reads)" };
        var output = new Argument<FileInfo>("output") { Description = "where to write the masked H.264 MP4" };
        var camera = new Option<string>("--camera") { Description = "the camera whose masking profile applies, e.g. SKO-001-K01", Required = true };
        var command = new Command("mask", "Mask a video file with a camera's profile: decode, obscure everything the profile hides (and people standing beyond the façade distance), encode H.264 MP4.")
        {
            input, output, camera,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(input)!;
            if (!file.Exists)
            {
                await Console.Error.WriteLineAsync($"{file.FullName}: no such file");
                return 2;
            }

            var provider = await services([.. parse.UnmatchedTokens], ct);
            var masker = provider.GetRequiredService<CameraFileMasker>();
            try
            {
                var result = await masker.MaskAsync(parse.GetValue(camera)!, file.FullName, parse.GetValue(output)!.FullName, ct);
                Console.WriteLine($"Masked {result.Frames} frames ({result.Input.Width}×{result.Input.Height} at {result.Input.FrameRate} fps) into {result.OutputPath}.");
                Console.WriteLine($"People obscured: {result.PeopleObscured}; frames obscured entirely: {result.FramesObscuredEntirely}.");
                Console.WriteLine($"Mask SHA-256: {result.MaskSha256}");
                if (result.FailClosedReason is { } reason)
                {
                    Console.WriteLine($"Note: {reason}.");
                }

                return 0;
            }
            catch (UnknownCameraException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 3;
            }
            catch (CalibrationRejectedException e)
            {
                await Console.Error.WriteLineAsync($"Calibration of {e.CameraId} refused; nothing was masked:");
                foreach (var problem in e.Problems)
                {
                    await Console.Error.WriteLineAsync($"  {problem}");
                }

                return 4;
            }
            catch (InvalidDataException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }
}
